"""Hooks through which platform apps add to shared pages without station importing them.

An app registers, in its AppConfig.ready(), a function that builds its section of a person's page:

    person_sections.register("volunteers", order=30)(my_function)

The function receives (person, user) and returns None (nothing to show) or a dict with
``title``, ``template`` and ``context``.
"""


class SectionRegistry:
    def __init__(self):
        self._items: dict[str, tuple[int, object]] = {}

    def register(self, name: str, order: int = 100):
        def decorator(func):
            self._items[name] = (order, func)
            return func

        return decorator

    def build(self, *args) -> list[dict]:
        sections = []
        for name, (_order, func) in sorted(self._items.items(), key=lambda item: item[1][0]):
            section = func(*args)
            if section:
                sections.append({"name": name, **section})
        return sections


person_sections = SectionRegistry()


class DemoRegistry:
    """Platform apps add demo data to ``seed_demo``: ``demo_seeders.register("volunteers", order=30)(func)``.

    The function receives ``(station, rng)`` and must be idempotent; it may return extra
    ``(username, role)`` logins to print.
    """

    def __init__(self):
        self._items: dict[str, tuple[int, object]] = {}

    def register(self, name: str, order: int = 100):
        def decorator(func):
            self._items[name] = (order, func)
            return func

        return decorator

    def run(self, station, rng, skip=()) -> list[tuple[str, str]]:
        logins = []
        for name, (_order, func) in sorted(self._items.items(), key=lambda item: item[1][0]):
            if name not in skip:
                logins.extend(func(station, rng) or [])
        return logins


demo_seeders = DemoRegistry()
# Panels on the statistics dashboard's watch list (staff of the station only). An app registers, in its
# AppConfig.ready():
#
#     dashboard_panels.register("cases", order=10)(overdue_visits_panel)
#
# The function receives (scope, user): ``scope.station``, ``scope.community`` (None for the whole station)
# and ``scope.month`` (first day); it returns None or {"title", "template", "context"} and should read
# with a bounded number of queries (a short list, not every record).
dashboard_panels = SectionRegistry()


class HomeRegistry:
    """Where "/" sends a signed-in user who is not staff: each app says whether the user is one of its own
    (``home_pages.register("volunteers", order=10)(func)``; ``func(user)`` returns a path or None)."""

    def __init__(self):
        self._items: dict[str, tuple[int, object]] = {}

    def register(self, name: str, order: int = 100):
        def decorator(func):
            self._items[name] = (order, func)
            return func

        return decorator

    def url_for(self, user) -> str | None:
        for _order, func in sorted(self._items.values(), key=lambda item: item[0]):
            url = func(user)
            if url:
                return url
        return None


home_pages = HomeRegistry()


class FootnoteRegistry:
    """What a figure means, printed under the monthly report: an app registers, in its AppConfig.ready(),
    ``report_footnotes.register("cases.visit_coverage", text)`` for one of its metrics."""

    def __init__(self):
        self._items: dict[str, object] = {}

    def register(self, metric_name: str, text) -> None:
        self._items[metric_name] = text

    def for_metrics(self, metrics) -> list[tuple[str, str]]:
        """(label, text) for each given metric that has a footnote, in the metrics' order."""
        return [(str(m.label), str(self._items[m.name])) for m in metrics if m.name in self._items]


report_footnotes = FootnoteRegistry()
