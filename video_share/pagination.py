"""Pages of long lists, read without counting the list.

Counting every matching row on each request grows with the catalogue; a page needs only to
know whether another follows it, which one row more than it shows tells. A page number past
the end gives an empty page.
"""

from collections.abc import Sequence

PAGE_SIZE = 24
# Deeper than any person scrolls; it bounds the OFFSET a crafted address can ask for.
MAX_PAGE = 1000


class Page(Sequence):
    def __init__(self, object_list: list, number: int, has_next: bool):
        self.object_list, self.number, self._has_next = object_list, number, has_next

    def __getitem__(self, index):
        return self.object_list[index]

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(value) -> int:
    try:
        return min(max(int(value), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def page_of(request, items, *, per_page: int = PAGE_SIZE) -> Page:
    """Page ?page= of `items` (a queryset, or anything that slices)."""
    number = page_number(request.GET.get("page"))
    start = (number - 1) * per_page
    rows = list(items[start : start + per_page + 1])
    return Page(rows[:per_page], number, has_next=len(rows) > per_page)
