/** The image stores, one module each under lib/stores/; this path stays for the modules that import it. */
export * from './stores';
