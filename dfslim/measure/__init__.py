"""`dfslim measure`: real image sizes from a local builder, beside dfslim's estimates.

Never part of a lint run: linting stays static and offline. `command` runs the
measurement, `session` the builder, `builders` knows their command lines, `archive`
reads the exported image, `matching` pairs layers with instructions and fixes,
`waste` finds the bytes later layers hide, `report` prints the result.
"""
