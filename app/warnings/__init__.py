"""Early warning (预警): rules that watch the district's cases, and the alerts they raise.

- :mod:`app.warnings.settings` — the dated thresholds every core rule reads;
- :mod:`app.warnings.sql` — SQL pieces the rules share (the town of an area, day bounds,
  the cases behind a finding);
- :mod:`app.warnings.rules` and :mod:`app.warnings.rules_watch` — the core's rules, each a
  set-based query (GROUP BY / HAVING) returning :class:`~app.warnings.findings.Finding`\\ s;
- :mod:`app.warnings.declared` — the rules plugins declare (``warning_rules`` hook), run as SQL
  the core writes, and their start-up checks;
- :mod:`app.warnings.scan` — ``flask --app app alerts scan``: every rule, alerts raised or
  updated, never duplicated;
- :mod:`app.warnings.alerts` — reading alerts in the reader's scope, acknowledging, resolving;
- :mod:`app.warnings.wording` — each rule's name and an alert's title in the reader's language.
"""
