"""Leadership's reports: ledgers, the dashboard, evaluation and bulletins.

Every figure is computed in SQL (GROUP BY, never rows summed in Python) over the cases the
reader's :class:`app.reports.scope.ReportScope` allows, for a :class:`app.reports.periods.Period`.
"""
