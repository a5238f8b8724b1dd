"""The three ComponentResources, each beside the declaration of its arguments."""
