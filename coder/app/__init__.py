"""The Qt-free application layer: what the GUI and the CLI both call (issue 9)."""
