# METADATA
# title: Rules
# description: >-
#   One package per rule ID, policygen.<rule>, each with a deny_<rule> (or warn_<rule>)
#   rule of its own: `conftest test --namespace policygen.sc004` runs SC004
#   alone. Package main runs them all.
package policygen

# METADATA
# description: >-
#   Gatekeeper's inventory shape; policygen eval fills it from the Namespace objects
#   among its inputs. Read here once for every rule's package, not once by each.
namespaces := data.inventory.cluster.v1.Namespace if {
	is_object(data.inventory.cluster.v1.Namespace)
} else := {}
