// Command celcheck compiles ValidatingAdmissionPolicies and runs them on objects
// with the Kubernetes API server's own CEL code (k8s.io/apiserver), as
// policygen's cost tests need it.
//
// Usage: celcheck -object FILE [-namespace FILE] [-operation CREATE] POLICY.yaml...
//
//	celcheck -requests REQUESTS.json [-namespaces NAMESPACES.json] POLICY.yaml...
//
// For each ValidatingAdmissionPolicy in the policy files it prints one JSON
// line: the errors of the create-time compilation (the environment and mode
// the API server validates a new policy with: NewExpressions at the default
// compatibility version), and, for the object, the decision of the validator
// the admission plugin builds (StoredExpressions) under the runtime budget of
// one binding, with the cost that evaluation spent.
//
// In batch mode every request (operation, object, oldObject, user,
// namespace, subresource) is matched against every policy and its bindings
// with the API server's matcher (namespace selectors read the given
// Namespaces) and evaluated by the admission plugin's validator; one JSON
// line per evaluated (request, binding) with the denial messages and the
// evaluation errors.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/cel/environment"
)

type report struct {
	Policy        string   `json:"policy"`
	CompileErrors []string `json:"compileErrors"`
	Evaluated     bool     `json:"evaluated"`
	Matched       bool     `json:"matched"`
	Allowed       bool     `json:"allowed"`
	Errors        []string `json:"errors"`
	Messages      []string `json:"messages"`
	Cost          int64    `json:"cost"`
	Budget        int64    `json:"budget"`
	PerCallLimit  int64    `json:"perCallLimit"`
}

func readDocs(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	reader := utilyaml.NewYAMLReader(bufioReader(data))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) > 0 {
			docs = append(docs, doc)
		}
	}
}

func decode(doc []byte, into any) error {
	return utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(doc), 4096).Decode(into)
}

// compileErrors compiles every expression of the policy as the API server does
// when the policy is created.
func compileErrors(p *admissionregistrationv1.ValidatingAdmissionPolicy) []string {
	errs := []string{}
	env := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
	composited, err := cel.NewCompositedCompiler(env)
	if err != nil {
		return append(errs, err.Error())
	}
	opts := cel.OptionalVariableDeclarations{HasParams: p.Spec.ParamKind != nil, HasAuthorizer: true}
	for _, v := range p.Spec.Variables {
		res := composited.CompileAndStoreVariable(&validating.Variable{Name: v.Name, Expression: v.Expression}, opts, environment.NewExpressions)
		if res.Error != nil {
			errs = append(errs, fmt.Sprintf("variables[%s]: %v", v.Name, res.Error))
		}
	}
	for i, v := range p.Spec.Validations {
		res := composited.CompileCELExpression(&validating.ValidationCondition{Expression: v.Expression}, opts, environment.NewExpressions)
		if res.Error != nil {
			errs = append(errs, fmt.Sprintf("validations[%d].expression: %v", i, res.Error))
		}
		if v.MessageExpression != "" {
			msgOpts := cel.OptionalVariableDeclarations{HasParams: opts.HasParams}
			res := composited.CompileCELExpression(&validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}, msgOpts, environment.NewExpressions)
			if res.Error != nil {
				errs = append(errs, fmt.Sprintf("validations[%d].messageExpression: %v", i, res.Error))
			}
		}
	}
	stateless := cel.NewCompiler(env)
	for i := range p.Spec.MatchConditions {
		mc := p.Spec.MatchConditions[i]
		res := stateless.CompileCELExpression((*matchconditions.MatchCondition)(&mc), opts, environment.NewExpressions)
		if res.Error != nil {
			errs = append(errs, fmt.Sprintf("matchConditions[%s]: %v", mc.Name, res.Error))
		}
	}
	return errs
}

func accessors(p *admissionregistrationv1.ValidatingAdmissionPolicy) (vars []cel.NamedExpressionAccessor, validations, messages []cel.ExpressionAccessor) {
	for _, v := range p.Spec.Variables {
		vars = append(vars, &validating.Variable{Name: v.Name, Expression: v.Expression})
	}
	for _, v := range p.Spec.Validations {
		validations = append(validations, &validating.ValidationCondition{Expression: v.Expression, Message: v.Message, Reason: v.Reason})
		if v.MessageExpression != "" {
			messages = append(messages, &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression})
		} else {
			messages = append(messages, nil)
		}
	}
	return
}

func evaluate(p *admissionregistrationv1.ValidatingAdmissionPolicy, obj *unstructured.Unstructured, ns *corev1.Namespace, operation string, r *report) {
	env := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
	opts := cel.OptionalVariableDeclarations{HasParams: p.Spec.ParamKind != nil, HasAuthorizer: true}
	msgOpts := cel.OptionalVariableDeclarations{HasParams: opts.HasParams}
	vars, validations, messages := accessors(p)

	gvk := obj.GroupVersionKind()
	gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: resourceOf(gvk.Kind)}
	attr := admission.NewAttributesRecord(obj, nil, gvk, obj.GetNamespace(), obj.GetName(), gvr, "",
		admission.Operation(operation), nil, false, &user.DefaultInfo{Name: "policygen:cost-check"})
	versioned, err := admission.NewVersionedAttributes(attr, gvk, admission.NewObjectInterfacesFromScheme(runtime.NewScheme()))
	if err != nil {
		r.Errors = append(r.Errors, err.Error())
		return
	}
	request := cel.CreateAdmissionRequest(attr, metaGVR(gvr), metaGVK(gvk))

	if len(p.Spec.MatchConditions) > 0 {
		stateless := cel.NewConditionCompiler(env)
		conds := make([]cel.ExpressionAccessor, len(p.Spec.MatchConditions))
		for i := range p.Spec.MatchConditions {
			mc := p.Spec.MatchConditions[i]
			conds[i] = (*matchconditions.MatchCondition)(&mc)
		}
		matcher := matchconditions.NewMatcher(stateless.CompileCondition(conds, opts, environment.StoredExpressions), p.Spec.FailurePolicy, "policy", "validate", p.Name)
		result := matcher.Match(context.Background(), versioned, nil, nil)
		if result.Error != nil {
			r.Errors = append(r.Errors, "matchConditions: "+result.Error.Error())
			return
		}
		if !result.Matches {
			r.Evaluated = true
			r.Allowed = true
			return
		}
	}
	r.Matched = true

	// The filters the admission plugin compiles, evaluated under one binding's budget.
	composited, err := cel.NewCompositedCompiler(env)
	if err != nil {
		r.Errors = append(r.Errors, err.Error())
		return
	}
	composited.CompileAndStoreVariables(vars, opts, environment.StoredExpressions)
	validationFilter := composited.CompileCondition(validations, opts, environment.StoredExpressions)
	budget := int64(celconfig.RuntimeCELCostBudget)
	results, remaining, err := validationFilter.ForInput(context.Background(), versioned, request, cel.OptionalVariableBindings{}, ns, budget)
	r.Evaluated = true
	r.Budget = budget
	r.PerCallLimit = celconfig.PerCallLimit
	if err != nil {
		r.Errors = append(r.Errors, err.Error())
		return
	}
	r.Cost = budget - remaining
	r.Allowed = true
	for _, res := range results {
		if res.Error != nil {
			r.Allowed = false
			r.Errors = append(r.Errors, res.Error.Error())
		} else if res.EvalResult == nil || res.EvalResult.Value() != true {
			r.Allowed = false
		}
	}
	// The decision as the admission plugin reaches it, messageExpression included.
	validator := validating.NewValidator(validationFilter, nil,
		composited.CompileCondition(nil, opts, environment.StoredExpressions),
		composited.CompileCondition(messages, msgOpts, environment.StoredExpressions), p.Spec.FailurePolicy, nil)
	decided := validator.Validate(context.Background(), gvr, versioned, nil, ns, budget, nil)
	for _, d := range decided.Decisions {
		if d.Action != validating.ActionAdmit {
			r.Messages = append(r.Messages, d.Message)
		}
		if d.Evaluation == validating.EvalError {
			r.Allowed = false
			r.Errors = append(r.Errors, d.Message)
		}
	}
}

func main() {
	objectPath := flag.String("object", "", "the object (YAML) to evaluate")
	namespacePath := flag.String("namespace", "", "its Namespace (YAML)")
	operation := flag.String("operation", "CREATE", "the admission operation")
	requestsPath := flag.String("requests", "", "batch mode: a JSON list of admission requests")
	namespacesPath := flag.String("namespaces", "", "batch mode: a JSON list of Namespaces")
	flag.Parse()
	if *requestsPath != "" {
		if err := runBatch(*requestsPath, *namespacesPath, flag.Args()); err != nil {
			fmt.Fprintf(os.Stderr, "celcheck: %v\n", err)
			os.Exit(2)
		}
		return
	}
	if *objectPath == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: celcheck -object FILE [-namespace FILE] POLICY.yaml...")
		os.Exit(2)
	}
	objDocs, err := readDocs(*objectPath)
	if err != nil || len(objDocs) != 1 {
		fmt.Fprintf(os.Stderr, "celcheck: %s: one YAML document expected (%v)\n", *objectPath, err)
		os.Exit(2)
	}
	obj := &unstructured.Unstructured{}
	if err := decode(objDocs[0], &obj.Object); err != nil {
		fmt.Fprintf(os.Stderr, "celcheck: %s: %v\n", *objectPath, err)
		os.Exit(2)
	}
	var ns *corev1.Namespace
	if *namespacePath != "" {
		nsDocs, err := readDocs(*namespacePath)
		if err != nil || len(nsDocs) != 1 {
			fmt.Fprintf(os.Stderr, "celcheck: %s: one YAML document expected (%v)\n", *namespacePath, err)
			os.Exit(2)
		}
		ns = &corev1.Namespace{}
		if err := decode(nsDocs[0], ns); err != nil {
			fmt.Fprintf(os.Stderr, "celcheck: %s: %v\n", *namespacePath, err)
			os.Exit(2)
		}
	}
	out := json.NewEncoder(os.Stdout)
	for _, path := range flag.Args() {
		docs, err := readDocs(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "celcheck: %s: %v\n", path, err)
			os.Exit(2)
		}
		for _, doc := range docs {
			var head struct{ Kind string }
			if err := decode(doc, &head); err != nil || head.Kind != "ValidatingAdmissionPolicy" {
				continue
			}
			p := &admissionregistrationv1.ValidatingAdmissionPolicy{}
			if err := decode(doc, p); err != nil {
				fmt.Fprintf(os.Stderr, "celcheck: %s: %v\n", path, err)
				os.Exit(2)
			}
			r := &report{Policy: p.Name, CompileErrors: compileErrors(p), Errors: []string{}, Messages: []string{}}
			if len(r.CompileErrors) == 0 {
				evaluate(p, obj, ns, *operation, r)
			}
			if err := out.Encode(r); err != nil {
				os.Exit(1)
			}
		}
	}
}
