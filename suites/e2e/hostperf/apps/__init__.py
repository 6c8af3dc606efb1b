"""The apps the hosting benchmark serves: each framework's idiomatic handler for one route."""
