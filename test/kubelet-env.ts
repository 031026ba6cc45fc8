/** How the kubelet builds a container's environment, for the unit tier and the pod sandbox. */

/** Expands $(VAR) from earlier entries as the kubelet does; $$ escapes; unknown names stay. */
export function expandKubeletVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name) => {
    if (whole === '$$') return '$';
    return name in env ? env[name] : whole;
  });
}

/**
 * A container's env as the kubelet resolves it for one pod: entries in order, fieldRefs from the
 * pod's metadata, $(VAR) from earlier entries. Secret values are left as "<secret name/key>".
 */
export function resolvePodEnv(container: any, pod: { name: string; namespace: string }): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': pod.name, 'metadata.namespace': pod.namespace };
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    const from = entry.valueFrom;
    if (entry.value !== undefined) env[entry.name] = expandKubeletVars(entry.value, env);
    else if (from?.fieldRef) env[entry.name] = fields[from.fieldRef.fieldPath];
    else if (from?.secretKeyRef) env[entry.name] = `<secret ${from.secretKeyRef.name}/${from.secretKeyRef.key}>`;
    else throw new Error(`unsupported env source for ${entry.name}: ${JSON.stringify(from)}`);
  }
  return env;
}
