"""The emulator's internals: store, placement, documents, listing, discovery."""
