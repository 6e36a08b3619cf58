"""Course files, the catalog and course pages, course media and the courses CLI."""
