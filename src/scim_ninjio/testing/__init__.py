"""
The scim_ninjio test kit: a NINJIO emulator, a live server, a pytest plugin
and hypothesis strategies, for scim_ninjio's tests and for yours.
"""
