"""Small reusable modal screens."""
