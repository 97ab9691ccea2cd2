import { describe, expect, it } from 'vitest'

import type { PlaceTree } from '@/api/registry'

import { choicesOf, expandedKeys, filterForNode, findNode, placeLabel, selectedKey, toPlaceNodes } from './place_tree'

const tree: PlaceTree = {
    streets: [
        {
            id: 1,
            name: '演示街道',
            district: '',
            residents: 30,
            communities: [
                {
                    id: 2,
                    street_id: 1,
                    name: '雅仕居社区',
                    residents: 30,
                    grids: [
                        {
                            id: 3,
                            community_id: 2,
                            name: '第一网格',
                            residents: 30,
                            buildings: [
                                { id: 4, street_id: 1, community_id: 2, grid_id: 3, name: '1栋', floors: 6, residents: 20, households: 8 },
                                { id: 5, street_id: 1, community_id: 2, grid_id: 3, name: '2栋', floors: 6, residents: 10, households: 4 },
                            ],
                        },
                    ],
                },
            ],
        },
    ],
}

describe('place tree', () => {
    const nodes = toPlaceNodes(tree)

    it('turns the API tree into keyed nodes with counts', () => {
        expect(nodes[0]).toMatchObject({ key: 'street:1', kind: 'street', name: '演示街道', residents: 30 })
        const building = nodes[0].children[0].children[0].children[1]
        expect(building).toMatchObject({ key: 'building:5', kind: 'building', id: 5, residents: 10, households: 4, children: [] })
    })

    it('narrows the list to a grid or a building, never to a street or community', () => {
        const none = { streetId: 0, communityId: 0, gridId: 0, buildingId: 0 }
        expect(filterForNode({ kind: 'grid', id: 3 })).toEqual({ ...none, gridId: 3 })
        expect(filterForNode({ kind: 'building', id: 5 })).toEqual({ ...none, buildingId: 5 })
        expect(filterForNode({ kind: 'community', id: 2 })).toEqual({ ...none, communityId: 2 })
        expect(filterForNode({ kind: 'street', id: 1 })).toEqual({ ...none, streetId: 1 })
        expect(filterForNode(null)).toEqual(none)
        expect(selectedKey({ gridId: 3, buildingId: 0 })).toBe('grid:3')
        expect(selectedKey({ gridId: 3, buildingId: 5 })).toBe('building:5')
        expect(selectedKey({ communityId: 2 })).toBe('community:2')
        expect(selectedKey({ streetId: 1, communityId: 0 })).toBe('street:1')
        expect(selectedKey({ gridId: 0, buildingId: 0 })).toBeNull()
    })

    it('names a place by its ancestors below the street', () => {
        const found = findNode(nodes, 'building:4')
        expect(found?.ancestors.map((a) => a.key)).toEqual(['street:1', 'community:2', 'grid:3'])
        expect(placeLabel(found!)).toBe('雅仕居社区 / 第一网格 / 1栋')
        expect(findNode(nodes, 'building:99')).toBeNull()
        expect(choicesOf(nodes, 'building')).toEqual([
            { id: 4, label: '雅仕居社区 / 第一网格 / 1栋' },
            { id: 5, label: '雅仕居社区 / 第一网格 / 2栋' },
        ])
        expect(choicesOf(nodes, 'community', 0)).toEqual([{ id: 2, label: '演示街道 / 雅仕居社区' }])
    })

    it('opens a small tree down to its grids and the way to the selected node', () => {
        expect(expandedKeys(nodes, [null])).toEqual(['street:1', 'community:2'])
        expect(expandedKeys(nodes, ['grid:3'])).toEqual(['street:1', 'community:2', 'grid:3'])
        expect(expandedKeys(nodes, ['building:5', 'grid:3', 'building:99'])).toEqual([
            'street:1',
            'community:2',
            'grid:3',
            'building:5',
        ])
    })
})
