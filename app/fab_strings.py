"""Flask-AppBuilder's own texts that its Chinese catalogue lacks.

FAB's ``zh`` catalogue is loaded before ours (``BABEL_TRANSLATION_DIRECTORIES``) and ours
wins where both translate a text. These msgids appear only inside FAB's code and
templates, which ``make messages`` does not scan: listing them here puts them in the
project's catalogue, so a Chinese page never shows FAB's English ("List Groups", "Add",
"Cancel"…). Nothing imports this module at run time.
"""
from flask_babel import lazy_gettext as _l

FAB_STRINGS = (
    # menu entries and page titles of FAB's security views
    _l("List Groups"),
    _l("Show Group"),
    _l("Add Group"),
    _l("Edit Group"),
    _l("Groups"),
    _l("Edit User Information"),
    _l("User information changed"),
    # buttons and the delete confirmation on every list and show page
    _l("Add"),
    _l("Edit"),
    _l("Show"),
    _l("Delete"),
    _l("Are you sure you want to delete this item?"),
    _l("User confirmation needed"),
    # search filters
    _l("Contains (insensitive)"),
    _l("Start with"),
    _l("In"),
    _l("Not In"),
    # form validation and help texts on the user form
    _l("Not a valid choice"),
    _l("Either select a role or a group"),
    _l("The user's password for authentication"),
    _l("It's not a good policy to remove a user, just make it inactive"),
    _l(
        "The user group on the application, this will associate with a list of roles associated "
        "with the group"
    ),
    _l(
        "Must have at least two capital letters, one special character, two digits, three lower "
        "case letters and a minimal length of 10."
    ),
    # refusals
    _l("User(s) exists in the role, cannot delete"),
    _l("User(s) exists in the group, cannot delete"),
    _l("Database Error"),
)
