# METADATA
# title: istio-sidecar-guard
# description: >-
#   conftest's entry point: every rule's violations as deny messages
#   (enforce mode), each starting with its rule ID.
package main

import data.policygen

# METADATA
# scope: document
# description: Every violation of every rule, for policygen eval and for tests.
violations contains msg if some msg in policygen.sc001.violation

violations contains msg if some msg in policygen.sc002.violation

violations contains msg if some msg in policygen.sc003.violation

violations contains msg if some msg in policygen.sc004.violation

violations contains msg if some msg in policygen.sc005.violation

violations contains msg if some msg in policygen.sc006.violation

violations contains msg if some msg in policygen.sc007.violation

violations contains msg if some msg in policygen.sc008.violation

violations contains msg if some msg in policygen.sc009.violation

violations contains msg if some msg in policygen.sc010.violation

violations contains msg if some msg in policygen.sc011.violation

violations contains msg if some msg in policygen.cp001.violation

violations contains msg if some msg in policygen.cp002.violation

violations contains msg if some msg in policygen.cp003.violation

violations contains msg if some msg in policygen.cp004.violation

violations contains msg if some msg in policygen.cp005.violation

# METADATA
# description: conftest's deny rule.
# entrypoint: true
deny contains msg if {
	some msg in violations
}
