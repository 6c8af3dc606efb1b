"""The harness: adapters, result schema, suites, the gate and the bench runner. The repository
root is its one import root (ci/bootstrap's .pth, ctest's PYTHONPATH); it imports the product
(``lapwise``), never the other way round."""
