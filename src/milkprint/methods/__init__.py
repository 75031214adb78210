"""The standards as data: processes, item categories, groups, methods and their rules."""
