# METADATA
# title: Shared library
# description: >-
#   What every rule's package reads, and what Gatekeeper's templates carry as
#   their libs: image references, pod specs, quantities, the admission review
#   and the mesh scope. This package holds nothing itself; it heads the
#   library in `conftest doc`, which nests sections by package path.
package lib
