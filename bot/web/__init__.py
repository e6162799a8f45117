"""The product's one HTTP server: health check, webhooks of the channels, and the web console."""
