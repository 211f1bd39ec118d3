/** The bundle's directory URL, or undefined when there is no bundle or it is stale (cli-bundle.mjs). */
export function freshCliBundle(): URL | undefined;
