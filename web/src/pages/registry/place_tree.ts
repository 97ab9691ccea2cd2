import type { PlaceKind, PlaceTree } from '@/api/registry'

// The place tree (street → community → grid → building) as the page's tree widget shows it,
// and what selecting a node means for the resident list.
export interface PlaceNode {
    key: string // "grid:3"
    kind: PlaceKind
    id: number
    name: string
    residents: number
    households: number // buildings only; 0 for the other kinds
    children: PlaceNode[]
}

export const kChildKind: Record<PlaceKind, PlaceKind | null> = {
    street: 'community',
    community: 'grid',
    grid: 'building',
    building: null,
}

export function nodeKey(kind: PlaceKind, id: number): string {
    return `${kind}:${id}`
}

export function toPlaceNodes(tree: PlaceTree): PlaceNode[] {
    return tree.streets.map((street) => ({
        key: nodeKey('street', street.id),
        kind: 'street' as const,
        id: street.id,
        name: street.name,
        residents: street.residents,
        households: 0,
        children: street.communities.map((community) => ({
            key: nodeKey('community', community.id),
            kind: 'community' as const,
            id: community.id,
            name: community.name,
            residents: community.residents,
            households: 0,
            children: community.grids.map((grid) => ({
                key: nodeKey('grid', grid.id),
                kind: 'grid' as const,
                id: grid.id,
                name: grid.name,
                residents: grid.residents,
                households: 0,
                children: grid.buildings.map((building) => ({
                    key: nodeKey('building', building.id),
                    kind: 'building' as const,
                    id: building.id,
                    name: building.name,
                    residents: building.residents,
                    households: building.households,
                    children: [],
                })),
            })),
        })),
    }))
}

// The list filter a selected node gives. The list can be narrowed to a grid or a building; a
// street or a community shows everyone the user may see (the server has no filter by them, and
// a user's scope is usually one community or one street anyway).
export interface PlaceFilter {
    streetId: number
    communityId: number
    gridId: number
    buildingId: number
}

export function filterForNode(node: Pick<PlaceNode, 'kind' | 'id'> | null): PlaceFilter {
    const none = { streetId: 0, communityId: 0, gridId: 0, buildingId: 0 }
    if (node?.kind === 'street') return { ...none, streetId: node.id }
    if (node?.kind === 'community') return { ...none, communityId: node.id }
    if (node?.kind === 'grid') return { ...none, gridId: node.id }
    if (node?.kind === 'building') return { ...none, buildingId: node.id }
    return none
}

// The node the list's filter selects, if any.
export function selectedKey(state: Partial<PlaceFilter>): string | null {
    if (state.buildingId) return nodeKey('building', state.buildingId)
    if (state.gridId) return nodeKey('grid', state.gridId)
    if (state.communityId) return nodeKey('community', state.communityId)
    if (state.streetId) return nodeKey('street', state.streetId)
    return null
}

// Every node, depth first, with its ancestors (street first).
export function* walk(nodes: PlaceNode[], ancestors: PlaceNode[] = []): Generator<{ node: PlaceNode; ancestors: PlaceNode[] }> {
    for (const node of nodes) {
        yield { node, ancestors }
        yield* walk(node.children, [...ancestors, node])
    }
}

export function findNode(nodes: PlaceNode[], key: string | null): { node: PlaceNode; ancestors: PlaceNode[] } | null {
    if (!key) return null
    for (const entry of walk(nodes)) if (entry.node.key === key) return entry
    return null
}

// 「雅仕居社区 / 第一网格 / 3栋」: the node's name after its ancestors, leaving out the first
// `skipLevels` (the street, by default: most users have one).
export function placeLabel(entry: { node: PlaceNode; ancestors: PlaceNode[] }, skipLevels = 1): string {
    return [...entry.ancestors.slice(skipLevels), entry.node].map((n) => n.name).join(' / ')
}

// The places of one kind as choices for a select: "雅仕居社区 / 第一网格 / 3栋".
export interface PlaceChoice {
    id: number
    label: string
}

export function choicesOf(nodes: PlaceNode[], kind: PlaceKind, skipLevels = 1): PlaceChoice[] {
    const out: PlaceChoice[] = []
    for (const entry of walk(nodes)) {
        if (entry.node.kind === kind) out.push({ id: entry.node.id, label: placeLabel(entry, skipLevels) })
    }
    return out
}

// Keys to expand: each of `shown` (the selected node, a node just added to) and the way down to
// it, and down to the grids when the tree is small (one street with a few communities), else
// only the streets.
export function expandedKeys(nodes: PlaceNode[], shown: readonly (string | null)[]): string[] {
    const keys: string[] = []
    for (const street of nodes) {
        keys.push(street.key)
        if (nodes.length === 1 && street.children.length <= 3) {
            for (const community of street.children) keys.push(community.key)
        }
    }
    for (const key of shown) {
        const found = findNode(nodes, key)
        for (const node of found ? [...found.ancestors, found.node] : []) {
            if (!keys.includes(node.key)) keys.push(node.key)
        }
    }
    return keys
}
