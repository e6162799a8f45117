"""The appeal intake: steps defined as data, and the flow that walks a user through them."""
