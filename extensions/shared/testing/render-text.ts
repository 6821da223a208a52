import type { ComponentChildren, VNode } from "preact";

export interface RenderedElement {
  tag: string;
  props: Record<string, unknown>;
  text: string;
}

export interface Rendered {
  /** Everything a shopper can read, children and labelling attributes, in document order. */
  text: string;
  all(tag: string): RenderedElement[];
  button(label: string): RenderedElement | undefined;
  click(label: string): void;
}

const READABLE_PROPS = ["heading", "label", "text"];

/**
 * Renders presentational components (no hooks) to what a shopper perceives: the texts and the
 * Polaris elements with their props. The extensions' components are kept free of hooks for
 * exactly this; their state lives in plain modules tested on their own.
 */
export function renderText(node: ComponentChildren): Rendered {
  const elements: RenderedElement[] = [];
  const text = visit(node, elements);
  const all = (tag: string) =>
    elements.filter((element) => element.tag === tag);
  // A button is found by its visible text or, when several read the same, its accessibility label.
  const button = (label: string) =>
    all("s-button").find(
      (element) => element.props.accessibilityLabel === label,
    ) ?? all("s-button").find((element) => element.text === label);
  return {
    text,
    all,
    button,
    click(label) {
      const found = button(label);
      if (found === undefined)
        throw new Error(`No button "${label}" in: ${text}`);
      if (found.props.disabled === true)
        throw new Error(`Button "${label}" is disabled`);
      (found.props.onClick as () => void)();
    },
  };
}

function visit(node: ComponentChildren, elements: RenderedElement[]): string {
  if (node === null || node === undefined || typeof node === "boolean")
    return "";
  if (
    typeof node === "string" ||
    typeof node === "number" ||
    typeof node === "bigint"
  )
    return String(node);
  if (Array.isArray(node))
    return join(node.map((child: ComponentChildren) => visit(child, elements)));
  const vnode = node as VNode<Record<string, unknown>>;
  if (typeof vnode.type === "function") {
    const component = vnode.type as (
      props: Record<string, unknown>,
    ) => ComponentChildren;
    return visit(component(vnode.props), elements);
  }
  const element: RenderedElement = {
    tag: String(vnode.type),
    props: vnode.props,
    text: "",
  };
  elements.push(element);
  element.text = visit(vnode.props.children as ComponentChildren, elements);
  const labels = READABLE_PROPS.map((name) => vnode.props[name]).filter(
    (value) => typeof value === "string",
  );
  return join([...labels, element.text]);
}

function join(parts: string[]): string {
  return parts.filter((part) => part !== "").join(" ");
}
