// Synthesizes every example to dist/<chart>.k8s.yaml.
import { App } from 'cdk8s';
import { edgeSite } from './edge-site';
import { imageCacheCeph } from './image-cache-ceph';
import { imageCacheNfs } from './image-cache-nfs';
import { imageCacheTls } from './image-cache-tls';

const app = new App({ outdir: 'dist' });
imageCacheCeph(app);
imageCacheNfs(app);
edgeSite(app);
imageCacheTls(app);
app.synth();
console.log(`synthesized ${app.charts.length} charts to dist/: ${app.charts.map((c) => `${c.node.id}.k8s.yaml`).join(', ')}`);
