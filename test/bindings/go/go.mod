module github.com/cdk8s-glance/cdk8s-glance/test/bindings/go

go 1.25.0

require (
	github.com/aws/constructs-go/constructs/v10 v10.4.0
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/cdk8s-glance/cdk8s-glance-go/cdk8sglance v0.0.0
	github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 v2.70.0
	github.com/cdk8s-team/cdk8s-plus-go/cdk8splus28/v2 v2.5.6
)

require github.com/Masterminds/semver/v3 v3.5.0 // indirect
