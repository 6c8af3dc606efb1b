"""The product as users get it: a wheel built from a clean clone, installed outside the tree."""
