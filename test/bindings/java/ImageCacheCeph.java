// The Ceph reference sample (examples/image-cache-ceph.ts) with the Java package.
//
// Usage: java -cp CLASSPATH ImageCacheCeph.java OUTDIR (the classpath from pom.xml, see
// scripts/bindings.sh). Writes OUTDIR/image-cache-ceph.k8s.yaml, as `cdk8s synth` does, and prints
// the versions of the packages it ran with.

import io.github.cdk8sglance.DatabaseOptions;
import io.github.cdk8sglance.Glance;
import io.github.cdk8sglance.GlanceApiOptions;
import io.github.cdk8sglance.GlanceApiType;
import io.github.cdk8sglance.ImageBackend;
import io.github.cdk8sglance.ImageCacheOptions;
import io.github.cdk8sglance.KeystoneOptions;
import io.github.cdk8sglance.RbdBackendOptions;
import io.github.cdk8sglance.SecretKeySelector;
import io.github.cdk8sglance.StorageOptions;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.cdk8s.App;
import org.cdk8s.AppProps;
import org.cdk8s.Chart;
import org.cdk8s.ChartProps;

public final class ImageCacheCeph {
  static Chart imageCacheCeph(final App app) {
    Chart chart = new Chart(app, "image-cache-ceph", ChartProps.builder().namespace("openstack").build());
    Glance.Builder.create(chart, "glance")
        .database(DatabaseOptions.builder()
            .connectionSecret(SecretKeySelector.builder().name("glance-db").key("connection").build())
            .build())
        .keystone(KeystoneOptions.builder()
            .authUrl("http://keystone-internal.openstack.svc:5000")
            .publicAuthUrl("https://keystone.example.com")
            .passwordSecret(SecretKeySelector.builder().name("osp-secret").key("GlancePassword").build())
            .build())
        .backend(ImageBackend.rbd(RbdBackendOptions.builder()
            .cephSecretName("ceph-conf-files").pool("images").user("openstack").build()))
        .storage(StorageOptions.builder().storageRequest("10Gi").build())
        .imageCache(ImageCacheOptions.builder().size("10Gi").build())
        .customServiceConfig("[DEFAULT]\ndebug = false\n")
        .apis(Map.of("default", GlanceApiOptions.builder()
            .type(GlanceApiType.SINGLE).replicas(3).showImageDirectUrl(false).build()))
        .build();
    return chart;
  }

  /** A jar's version, from the pom.properties Maven packs into it. */
  static String version(final String group, final String artifact) throws IOException {
    String path = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = ImageCacheCeph.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    }
  }

  public static void main(final String[] args) throws IOException {
    App app = new App(AppProps.builder().outdir(args[0]).build());
    imageCacheCeph(app);
    app.synth();
    List<String> versions = new ArrayList<>();
    versions.add("cdk8s-glance=" + version("io.github.cdk8s-glance", "cdk8s-glance"));
    versions.add("cdk8s=" + version("org.cdk8s", "cdk8s"));
    versions.add("cdk8s-plus-28=" + version("org.cdk8s", "cdk8s-plus-28"));
    versions.add("constructs=" + version("software.constructs", "constructs"));
    versions.add("jsii=" + version("software.amazon.jsii", "jsii-runtime"));
    System.out.println("versions: " + String.join(" ", versions));
  }
}
