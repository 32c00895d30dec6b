"""The Analysis window: sequential analysis of the codes, and synchrony from the video."""
