// Command kyvernocheck judges resources with Kyverno's ValidatingPolicies the
// way `kyverno apply` does, with the same packages (the CLI's loaders for
// policies, exceptions, values, user info and resources; Kyverno's vpol
// compiler, engine and matcher), but compiles each policy once for the run.
//
// The CLI builds a new policy provider, and so compiles every policy again,
// for every resource (cmd/cli/kubectl-kyverno/processor/policy_processor.go,
// vpolengine.NewProvider inside ApplyPoliciesOnResource): about 22 ms per
// policy and resource even for a policy whose only expression is `true`.
// Kyverno's admission controller compiles once, as this does.
//
// Usage:
//
//	kyvernocheck --resource FILE [--old-resource FILE] [--values-file FILE] [--userinfo FILE] [--exception FILE]... POLICY.yaml...
//
// --old-resource gives an UPDATE's resources their own oldObjects (by metadata.uid), where `kyverno apply`
// hands the object itself as the oldObject, so that a rule comparing the two sees the change.
//
// It prints one JSON line shaped like the CLI's policy report (`results`, each
// with policy, rule, result, message and the resource's uid) and exits 0 when
// no result failed, 1 when some did, 2 when it could not run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	policieskyvernoio "github.com/kyverno/api/api/policies.kyverno.io"
	policiesv1beta1 "github.com/kyverno/api/api/policies.kyverno.io/v1beta1"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/commands/test"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/data"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/exception"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/policy"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/processor"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/userinfo"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/utils/common"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/variables"
	celengine "github.com/kyverno/kyverno/pkg/cel/engine"
	"github.com/kyverno/kyverno/pkg/cel/matching"
	vpolcompiler "github.com/kyverno/kyverno/pkg/cel/policies/vpol/compiler"
	vpolengine "github.com/kyverno/kyverno/pkg/cel/policies/vpol/engine"
	"github.com/kyverno/kyverno/pkg/cli/loader"
	"github.com/kyverno/kyverno/pkg/utils/restmapper"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"
)

type resourceRef struct {
	UID       string `json:"uid"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

type result struct {
	Policy    string        `json:"policy"`
	Rule      string        `json:"rule"`
	Result    string        `json:"result"`
	Message   string        `json:"message"`
	Resources []resourceRef `json:"resources"`
}

type report struct {
	Results []result `json:"results"`
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	code, err := run(os.Args[1:], os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kyvernocheck:", err)
	}
	os.Exit(code)
}

func run(args []string, out io.Writer) (int, error) {
	flags := flag.NewFlagSet("kyvernocheck", flag.ContinueOnError)
	resourcePath := flags.String("resource", "", "resources file")
	oldPath := flags.String("old-resource", "", "UPDATE only: the oldObject of each resource, matched by metadata.uid")
	valuesPath := flags.String("values-file", "", "values file (namespaceSelector, request.operation)")
	userInfoPath := flags.String("userinfo", "", "user info file")
	var exceptionPaths multiFlag
	flags.Var(&exceptionPaths, "exception", "PolicyException file (repeatable)")
	cpuProfile := flags.String("cpuprofile", "", "write a CPU profile of the run to this file (for bench work)")
	if err := flags.Parse(args); err != nil {
		return 2, err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return 2, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return 2, err
		}
		defer pprof.StopCPUProfile()
	}
	if *resourcePath == "" || flags.NArg() == 0 {
		return 2, errors.New("usage: kyvernocheck --resource FILE [--old-resource FILE] [--values-file FILE] [--userinfo FILE] " +
			"[--exception FILE]... POLICY.yaml...")
	}
	// As the CLI does before it reads anything: the resource groups the offline REST mapper knows.
	data.InjectProcessor(data.NewCRDProcessor(nil))

	loaded, err := policy.Load(nil, "", flags.Args()...)
	if err != nil {
		return 2, fmt.Errorf("loading policies: %w", err)
	}
	if len(loaded.NonFatalErrors) > 0 {
		return 2, fmt.Errorf("loading policies: %s: %v", loaded.NonFatalErrors[0].Path, loaded.NonFatalErrors[0].Error)
	}
	others := len(loaded.Policies) + len(loaded.VAPs) + len(loaded.MAPs) + len(loaded.ImageValidatingPolicies) +
		len(loaded.GeneratingPolicies) + len(loaded.DeletingPolicies) + len(loaded.MutatingPolicies) +
		len(loaded.EnvoyPolicies) + len(loaded.HTTPPolicies)
	if others > 0 || len(loaded.ValidatingPolicies) == 0 {
		return 2, errors.New("kyvernocheck judges ValidatingPolicies only; give those and nothing else")
	}
	for _, pol := range loaded.ValidatingPolicies {
		if pol.GetValidatingPolicySpec().EvaluationMode() == policieskyvernoio.EvaluationModeJSON {
			return 2, fmt.Errorf("policy %s: JSON evaluation mode is not judged here", pol.GetName())
		}
	}
	celExceptions := append([]*policiesv1beta1.PolicyException{}, loaded.PolicyCELExceptions...)
	if len(exceptionPaths) > 0 {
		exceptions, err := exception.Load(exceptionPaths...)
		if err != nil {
			return 2, fmt.Errorf("loading exceptions: %w", err)
		}
		celExceptions = append(celExceptions, exceptions.CELExceptions...)
	}

	var user authenticationv1.UserInfo
	if *userInfoPath != "" {
		info, err := userinfo.Load(nil, *userInfoPath, "")
		if err != nil {
			return 2, fmt.Errorf("loading user info: %w", err)
		}
		user = info.RequestInfo.AdmissionUserInfo
	}
	vars, err := variables.New(io.Discard, nil, "", *valuesPath, nil)
	if err != nil {
		return 2, fmt.Errorf("loading values: %w", err)
	}
	if len(vars.Subresources()) > 0 {
		return 2, errors.New("values: subresources are not judged here")
	}
	if _, err := processor.NormalizeValuesOperation(vars.GlobalOperation()); err != nil {
		return 2, err
	}
	// CONNECT, as in the CLI, is not simulated: the CREATE shape.
	operation, _ := processor.NormalizeOperation(vars.GlobalOperation())

	resources, err := common.GetResourceAccordingToResourcePath(io.Discard, nil, []string{*resourcePath}, false, nil, nil, "",
		true, false, "", loader.ResourceOptions{}, false)
	if err != nil {
		return 2, fmt.Errorf("loading resources: %w", err)
	}
	resources = test.ProcessResources(resources)
	// `kyverno apply` hands an UPDATE its object as the oldObject too; an UPDATE given here gets its own.
	olds := map[string]*unstructured.Unstructured{}
	if *oldPath != "" {
		loadedOld, err := common.GetResourceAccordingToResourcePath(io.Discard, nil, []string{*oldPath}, false, nil, nil, "",
			true, false, "", loader.ResourceOptions{}, false)
		if err != nil {
			return 2, fmt.Errorf("loading old resources: %w", err)
		}
		for _, old := range test.ProcessResources(loadedOld) {
			uid := string(old.GetUID())
			if _, seen := olds[uid]; seen || uid == "" {
				return 2, fmt.Errorf("old resources: metadata.uid %q is empty or given twice", uid)
			}
			olds[uid] = old
		}
	}

	restMapper, err := restmapper.GetRESTMapper(nil)
	if err != nil {
		return 2, err
	}
	contextProvider, err := processor.NewContextProvider(nil, restMapper, nil, "", true, true, nil, nil)
	if err != nil {
		return 2, err
	}
	// Once for the run: what the CLI does for every resource.
	provider, err := vpolengine.NewProvider(vpolcompiler.NewCompiler(), loaded.ValidatingPolicies, celExceptions)
	if err != nil {
		return 2, err
	}
	eng := vpolengine.NewEngine(provider, vars.Namespace, matching.NewMatcher())

	ctx := context.Background()
	rep := report{Results: []result{}}
	failed := false
	used := 0
	for _, resource := range resources {
		gvk := resource.GroupVersionKind()
		gvr, err := resourceOf(restMapper, gvk, loaded.ValidatingPolicies)
		if err != nil {
			return 2, err
		}
		op, object, oldObject := processor.AdmissionRequestShape(operation, resource)
		if old, ok := olds[string(resource.GetUID())]; ok {
			if op != admissionv1.Update {
				return 2, fmt.Errorf("resource %s: an old resource is given, but the operation is %s", resource.GetUID(), op)
			}
			oldObject = old
			used++
		}
		request := celengine.Request(contextProvider, gvk, gvr, "", resource.GetName(), resource.GetNamespace(),
			op, user, object, oldObject, false, nil)
		response, err := eng.Handle(ctx, request, nil)
		if err != nil {
			return 2, fmt.Errorf("applying validating policies on resource %s: %w", resource.GetName(), err)
		}
		ref := resourceRef{UID: string(resource.GetUID()), Kind: resource.GetKind(), Namespace: resource.GetNamespace(), Name: resource.GetName()}
		for _, pol := range response.Policies {
			name, err := cache.MetaNamespaceKeyFunc(pol.Policy)
			if err != nil {
				return 2, err
			}
			for _, rule := range pol.Rules {
				status := string(rule.Status())
				failed = failed || status == "fail" || status == "error"
				rep.Results = append(rep.Results, result{Policy: name, Rule: rule.Name(), Result: status,
					Message: rule.Message(), Resources: []resourceRef{ref}})
			}
		}
	}
	if used != len(olds) {
		return 2, fmt.Errorf("old resources: %d of %d match no resource by metadata.uid", len(olds)-used, len(olds))
	}
	if err := json.NewEncoder(out).Encode(rep); err != nil {
		return 2, err
	}
	if failed {
		return 1, nil
	}
	return 0, nil
}

// resourceOf maps a kind to its resource as the CLI does offline: the REST mapper of the
// resource groups it knows, else the kind's guessed plural, else a resource a policy names.
func resourceOf(restMapper meta.RESTMapper, gvk schema.GroupVersionKind, policies []policiesv1beta1.ValidatingPolicyLike) (schema.GroupVersionResource, error) {
	if mapping, err := restMapper.RESTMapping(gvk.GroupKind(), gvk.Version); err == nil {
		return mapping.Resource, nil
	}
	gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version}
	if guessed, _ := meta.UnsafeGuessKindToResource(schema.GroupVersionKind{Kind: gvk.Kind}); guessed.Resource != "" {
		gvr.Resource = guessed.Resource
		return gvr, nil
	}
	kind := strings.ToLower(gvk.Kind)
	for _, vp := range policies {
		constraints := vp.GetSpec().MatchConstraints
		if constraints == nil {
			continue
		}
		for _, rule := range constraints.ResourceRules {
			for _, res := range rule.Resources {
				if base, _, _ := strings.Cut(res, "/"); strings.ToLower(base) == kind {
					gvr.Resource = base
					return gvr, nil
				}
			}
		}
	}
	return gvr, fmt.Errorf("failed to map gvk to gvr %s", gvk)
}
