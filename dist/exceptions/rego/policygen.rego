# METADATA
# title: Rules
# description: >-
#   One package per rule ID, policygen.<rule>, each with a deny_<rule> (or warn_<rule>)
#   rule of its own: `conftest test --namespace policygen.sc004` runs SC004
#   alone. Package main runs them all.
package policygen
