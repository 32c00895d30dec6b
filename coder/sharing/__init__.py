"""Sending a project safely: encrypted, authenticated bundles (``attune bundle``/``unbundle``)."""
