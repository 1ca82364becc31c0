"""DVK: the "Dân vận khéo" movement tracker."""
