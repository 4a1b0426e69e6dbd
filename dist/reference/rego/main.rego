# METADATA
# title: istio-sidecar-guard
# description: >-
#   conftest's entry point: every rule's violations as deny results
#   (enforce mode): objects whose msg starts with RULE/check, and whose rule
#   and check fields conftest reports as metadata.
package main

import data.policygen

# METADATA
# scope: document
# description: Every violation of every rule, for policygen eval and for tests.
violations contains found if some found in policygen.sc001.violation

violations contains found if some found in policygen.sc002.violation

violations contains found if some found in policygen.sc003.violation

violations contains found if some found in policygen.sc004.violation

violations contains found if some found in policygen.sc005.violation

violations contains found if some found in policygen.sc006.violation

violations contains found if some found in policygen.sc007.violation

violations contains found if some found in policygen.sc008.violation

violations contains found if some found in policygen.sc009.violation

violations contains found if some found in policygen.sc010.violation

violations contains found if some found in policygen.sc011.violation

violations contains found if some found in policygen.cp001.violation

violations contains found if some found in policygen.cp002.violation

violations contains found if some found in policygen.cp003.violation

violations contains found if some found in policygen.cp004.violation

violations contains found if some found in policygen.cp005.violation

# METADATA
# description: conftest's deny rule.
# entrypoint: true
deny contains found if {
	some found in violations
}
