import { DOMParser } from "@xmldom/xmldom";
import type { Document, Element } from "@xmldom/xmldom";

export type { Document, Element };

/**
 * Parses XML strictly: any error of the parser throws, and any warning too unless
 * `warnings` is false (a U+FFFD that replaced a forbidden character draws one).
 */
export function parseXml(text: string, options: { warnings?: boolean } = {}): Document {
  return new DOMParser({
    onError: (level: string, message: string) => {
      if (level === "warning" && options.warnings === false) return;
      throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(text, "image/svg+xml");
}

/** All elements below `node` whose local name is `name`. */
export function elements(node: Document | Element, name: string): Element[] {
  return Array.from(node.getElementsByTagName(name));
}
