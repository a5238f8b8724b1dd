"""Tests of the repository as a whole: README, project files, package, examples, engine pins, layout."""
