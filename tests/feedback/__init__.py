"""Course evaluations, the rating line and reflections."""
