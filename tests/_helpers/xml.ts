import { DOMParser } from "@xmldom/xmldom";
import type { Document, Element } from "@xmldom/xmldom";

export type { Document, Element };

/** Parses XML strictly: any error or warning of the parser throws. */
export function parseXml(text: string): Document {
  return new DOMParser({
    onError: (level: string, message: string) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(text, "image/svg+xml");
}

/** All elements below `node` whose local name is `name`. */
export function elements(node: Document | Element, name: string): Element[] {
  return Array.from(node.getElementsByTagName(name));
}
