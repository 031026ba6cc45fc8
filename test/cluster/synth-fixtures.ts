/**
 * Synthesizes what the cluster e2e applies, to the folder given as the first argument: the three
 * examples and the generated deployments (./deployments.ts), one <chart>.k8s.yaml each. Run by
 * scripts/cluster/fixtures.sh at an earlier commit (the upgrade fixtures) and by the e2e itself.
 */
import { App } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import { generatedDeployments } from './deployments';
import { edgeSite } from '../../examples/edge-site';
import { imageCacheCeph } from '../../examples/image-cache-ceph';
import { imageCacheNfs } from '../../examples/image-cache-nfs';

/** The images and storage class of the test cluster (scripts/cluster/config.sh). */
export const CLUSTER_SITE = {
  bookworm: { image: 'localhost/cdk8s-glance/glance:25.1.0-bookworm', imagePullPolicy: ImagePullPolicy.NEVER, storageClass: 'local' },
  trixie: { image: 'localhost/cdk8s-glance/glance:30.0.0-trixie', imagePullPolicy: ImagePullPolicy.NEVER, storageClass: 'local' },
};

export function synthAll(outdir: string): string[] {
  const app = new App({ outdir });
  imageCacheCeph(app);
  imageCacheNfs(app);
  edgeSite(app);
  generatedDeployments(app, CLUSTER_SITE.bookworm, CLUSTER_SITE.trixie);
  app.synth();
  return app.charts.map((chart) => chart.node.id);
}

if (require.main === module) {
  const outdir = process.argv[2];
  if (!outdir) throw new Error('usage: synth-fixtures.ts OUTDIR');
  console.log(synthAll(outdir).join(' '));
}
