// The Ceph reference sample (examples/image-cache-ceph.ts) with the Go module.
//
// Usage: go run . OUTDIR (scripts/bindings.sh points go.mod at the built module). Writes
// OUTDIR/image-cache-ceph.k8s.yaml, as `cdk8s synth` does, and prints the versions of the modules
// it was built with.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-glance/cdk8s-glance-go/cdk8sglance"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

func imageCacheCeph(app cdk8s.App) cdk8s.Chart {
	chart := cdk8s.NewChart(app, jsii.String("image-cache-ceph"), &cdk8s.ChartProps{Namespace: jsii.String("openstack")})
	cdk8sglance.NewGlance(chart, jsii.String("glance"), &cdk8sglance.GlanceProps{
		Database: &cdk8sglance.DatabaseOptions{
			ConnectionSecret: &cdk8sglance.SecretKeySelector{Name: jsii.String("glance-db"), Key: jsii.String("connection")},
		},
		Keystone: &cdk8sglance.KeystoneOptions{
			AuthUrl:        jsii.String("http://keystone-internal.openstack.svc:5000"),
			PublicAuthUrl:  jsii.String("https://keystone.example.com"),
			PasswordSecret: &cdk8sglance.SecretKeySelector{Name: jsii.String("osp-secret"), Key: jsii.String("GlancePassword")},
		},
		Backend: cdk8sglance.ImageBackend_Rbd(&cdk8sglance.RbdBackendOptions{
			CephSecretName: jsii.String("ceph-conf-files"), Pool: jsii.String("images"), User: jsii.String("openstack"),
		}),
		Storage:             &cdk8sglance.StorageOptions{StorageRequest: jsii.String("10Gi")},
		ImageCache:          &cdk8sglance.ImageCacheOptions{Size: jsii.String("10Gi")},
		CustomServiceConfig: jsii.String("[DEFAULT]\ndebug = false\n"),
		Apis: &map[string]*cdk8sglance.GlanceApiOptions{
			"default": {Type: cdk8sglance.GlanceApiType_SINGLE, Replicas: jsii.Number(3), ShowImageDirectUrl: jsii.Bool(false)},
		},
	})
	return chart
}

func main() {
	defer jsii.Close()
	app := cdk8s.NewApp(&cdk8s.AppProps{Outdir: jsii.String(os.Args[1])})
	imageCacheCeph(app)
	app.Synth()

	modules := map[string]string{
		"github.com/cdk8s-glance/cdk8s-glance-go/cdk8sglance": "cdk8s-glance",
		"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2":        "cdk8s",
		"github.com/cdk8s-team/cdk8s-plus-go/cdk8splus28/v2":  "cdk8s-plus-28",
		"github.com/aws/constructs-go/constructs/v10":         "constructs",
		"github.com/aws/jsii-runtime-go":                      "jsii",
	}
	versions := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if name, ok := modules[dep.Path]; ok {
				versions[name] = strings.TrimPrefix(dep.Version, "v")
			}
		}
	}
	var line []string
	for _, name := range []string{"cdk8s-glance", "cdk8s", "cdk8s-plus-28", "constructs", "jsii"} {
		line = append(line, name+"="+versions[name])
	}
	fmt.Println("versions: " + strings.Join(line, " "))
}
