"""Templates, static assets, translations and map builders for the web pages."""
