# METADATA
# title: Batch evaluation
# description: >-
#   Judges many resources in one query, so that policygen eval sends one
#   request to one OPA server however many resources there are.
package policygen.batch

# METADATA
# description: For each input.items[i], its sorted violations ({msg, rule, check} objects).
# entrypoint: true
results := [sorted |
	some item in input.items
	found := data.main.violations with input as item
	sorted := sort(found)
]
