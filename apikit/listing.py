"""Listings for ninja's pagination that build API items only for the page asked for."""


class LazyItems:
    """
    A queryset turned into API items (``build(obj)``) only for the slice the paginator asks for,
    so a listing never loads more than one page. Ninja's pagination needs ``count()`` and slicing.
    """

    def __init__(self, queryset, build):
        self.queryset, self.build = queryset, build

    def __len__(self):
        return self.queryset.count()

    def count(self):
        return len(self)

    def __getitem__(self, window):
        return [self.build(obj) for obj in self.queryset[window]]
