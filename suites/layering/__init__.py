"""The layering rule, checked: lower layers never import or include higher ones."""
