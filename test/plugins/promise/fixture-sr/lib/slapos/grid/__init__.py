# Test fixture: a stand-in for the software release's slapos package.
