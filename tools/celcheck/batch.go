package main

// Batch mode: every request of a JSON file against every policy and binding,
// matched and evaluated as the API server's admission plugin does.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/cel/environment"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

type request struct {
	Operation   string         `json:"operation"`
	Object      map[string]any `json:"object"`
	OldObject   map[string]any `json:"oldObject"`
	SubResource string         `json:"subResource"`
	Namespace   string         `json:"namespace"`
	UserInfo    struct {
		Username string   `json:"username"`
		Groups   []string `json:"groups"`
	} `json:"userInfo"`
}

type batchResult struct {
	Index    int      `json:"index"`
	Policy   string   `json:"policy"`
	Binding  string   `json:"binding"`
	Messages []string `json:"messages"`
	Errors   []string `json:"errors"`
}

type compiled struct {
	policy    *admissionregistrationv1.ValidatingAdmissionPolicy
	validator validating.Validator
}

// defaults applies the API server's defaulting that the matcher relies on.
func defaults(m *admissionregistrationv1.MatchResources) {
	if m == nil {
		return
	}
	if m.NamespaceSelector == nil {
		m.NamespaceSelector = &metav1.LabelSelector{}
	}
	if m.ObjectSelector == nil {
		m.ObjectSelector = &metav1.LabelSelector{}
	}
	if m.MatchPolicy == nil {
		eq := admissionregistrationv1.Equivalent
		m.MatchPolicy = &eq
	}
	for i := range m.ResourceRules {
		if m.ResourceRules[i].Scope == nil {
			all := admissionregistrationv1.AllScopes
			m.ResourceRules[i].Scope = &all
		}
	}
}

func compileValidator(p *admissionregistrationv1.ValidatingAdmissionPolicy) validating.Validator {
	env := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
	opts := cel.OptionalVariableDeclarations{HasParams: p.Spec.ParamKind != nil, HasAuthorizer: true}
	msgOpts := cel.OptionalVariableDeclarations{HasParams: opts.HasParams}
	vars, validations, messages := accessors(p)
	composited, err := cel.NewCompositedCompiler(env)
	if err != nil {
		return validating.NewValidator(nil, nil, nil, nil, p.Spec.FailurePolicy, err)
	}
	composited.CompileAndStoreVariables(vars, opts, environment.StoredExpressions)
	var matcher matchconditions.Matcher
	if len(p.Spec.MatchConditions) > 0 {
		conds := make([]cel.ExpressionAccessor, len(p.Spec.MatchConditions))
		for i := range p.Spec.MatchConditions {
			conds[i] = (*matchconditions.MatchCondition)(&p.Spec.MatchConditions[i])
		}
		matcher = matchconditions.NewMatcher(composited.CompileCondition(conds, opts, environment.StoredExpressions),
			p.Spec.FailurePolicy, "policy", "validate", p.Name)
	}
	return validating.NewValidator(
		composited.CompileCondition(validations, opts, environment.StoredExpressions),
		matcher,
		composited.CompileCondition(nil, opts, environment.StoredExpressions),
		composited.CompileCondition(messages, msgOpts, environment.StoredExpressions),
		p.Spec.FailurePolicy, nil)
}

func runBatch(requestsPath, namespacesPath string, policyPaths []string) error {
	data, err := os.ReadFile(requestsPath)
	if err != nil {
		return err
	}
	var requests []request
	if err := json.Unmarshal(data, &requests); err != nil {
		return fmt.Errorf("%s: %w", requestsPath, err)
	}
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	if namespacesPath != "" {
		data, err := os.ReadFile(namespacesPath)
		if err != nil {
			return err
		}
		var namespaces []corev1.Namespace
		if err := json.Unmarshal(data, &namespaces); err != nil {
			return fmt.Errorf("%s: %w", namespacesPath, err)
		}
		for i := range namespaces {
			if err := indexer.Add(&namespaces[i]); err != nil {
				return err
			}
		}
	}
	lister := corev1listers.NewNamespaceLister(indexer)
	pm := generic.NewPolicyMatcher(matching.NewMatcher(lister, nil))
	oi := admission.NewObjectInterfacesFromScheme(runtime.NewScheme())

	var policies []compiled
	var bindings []*admissionregistrationv1.ValidatingAdmissionPolicyBinding
	for _, path := range policyPaths {
		docs, err := readDocs(path)
		if err != nil {
			return err
		}
		for _, doc := range docs {
			var head struct{ Kind string }
			if err := decode(doc, &head); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			switch head.Kind {
			case "ValidatingAdmissionPolicy":
				p := &admissionregistrationv1.ValidatingAdmissionPolicy{}
				if err := decode(doc, p); err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				if errs := compileErrors(p); len(errs) > 0 {
					return fmt.Errorf("%s: policy %s does not compile: %v", path, p.Name, errs)
				}
				defaults(p.Spec.MatchConstraints)
				policies = append(policies, compiled{p, compileValidator(p)})
			case "ValidatingAdmissionPolicyBinding":
				b := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
				if err := decode(doc, b); err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				defaults(b.Spec.MatchResources)
				bindings = append(bindings, b)
			}
		}
	}

	out := json.NewEncoder(os.Stdout)
	for i, req := range requests {
		target := req.Object
		if target == nil {
			target = req.OldObject
		}
		if target == nil {
			continue
		}
		obj := &unstructured.Unstructured{Object: target}
		gvk := obj.GroupVersionKind()
		gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: resourceOf(gvk.Kind)}
		var object, oldObject runtime.Object
		if req.Object != nil {
			object = &unstructured.Unstructured{Object: req.Object}
		}
		if req.OldObject != nil {
			oldObject = &unstructured.Unstructured{Object: req.OldObject}
		}
		attr := admission.NewAttributesRecord(object, oldObject, gvk, req.Namespace, obj.GetName(), gvr, req.SubResource,
			admission.Operation(req.Operation), nil, false, &user.DefaultInfo{Name: req.UserInfo.Username, Groups: req.UserInfo.Groups})
		var ns *corev1.Namespace
		if req.Namespace != "" {
			ns, _ = lister.Get(req.Namespace)
		}
		for _, c := range policies {
			matches, matchedGVR, matchedGVK, err := pm.DefinitionMatches(attr, oi, validating.NewValidatingAdmissionPolicyAccessor(c.policy))
			if err != nil {
				_ = out.Encode(batchResult{Index: i, Policy: c.policy.Name, Errors: []string{err.Error()}, Messages: []string{}})
				continue
			}
			if !matches {
				continue
			}
			for _, b := range bindings {
				if b.Spec.PolicyName != c.policy.Name {
					continue
				}
				ok, err := pm.BindingMatches(attr, oi, validating.NewValidatingAdmissionPolicyBindingAccessor(b))
				res := batchResult{Index: i, Policy: c.policy.Name, Binding: b.Name, Messages: []string{}, Errors: []string{}}
				if err != nil {
					res.Errors = append(res.Errors, err.Error())
					_ = out.Encode(res)
					continue
				}
				if !ok {
					continue
				}
				versioned, err := admission.NewVersionedAttributes(attr, matchedGVK, oi)
				if err != nil {
					res.Errors = append(res.Errors, err.Error())
					_ = out.Encode(res)
					continue
				}
				result := c.validator.Validate(context.Background(), matchedGVR, versioned, nil, ns, celconfig.RuntimeCELCostBudget, nil)
				for _, d := range result.Decisions {
					switch {
					case d.Evaluation == validating.EvalError:
						res.Errors = append(res.Errors, d.Message)
					case d.Action == validating.ActionDeny:
						res.Messages = append(res.Messages, d.Message)
					}
				}
				_ = out.Encode(res)
			}
		}
	}
	return nil
}
