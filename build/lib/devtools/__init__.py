"""Development tools: the local mail catcher and the demo example. Not part of any service."""
