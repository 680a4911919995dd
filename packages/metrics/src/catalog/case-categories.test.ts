import { describe, expect, it } from 'vitest'
import { CASE_CATEGORIES, DEPARTMENTS, findCategory } from './case-categories.js'

describe('CASE_CATEGORIES', () => {
  it('has unique codes', () => {
    const codes = CASE_CATEGORIES.map((c) => c.code)
    expect(new Set(codes).size).toBe(codes.length)
  })

  it.each(CASE_CATEGORIES.map((c) => [c.code, c] as const))('gives %s a positive SLA and a known department', (_, category) => {
    expect(category.slaHours).toBeGreaterThan(0)
    expect(category.name).not.toBe('')
    expect(DEPARTMENTS.map((d) => d.id)).toContain(category.dept)
  })

  it('has unique department ids', () => {
    expect(new Set(DEPARTMENTS.map((d) => d.id)).size).toBe(DEPARTMENTS.length)
  })
})

describe('findCategory', () => {
  it.each<[string, number]>([
    ['manhole', 4],
    ['illegal-parking', 2],
    ['greenery', 72],
  ])('finds %s with an SLA of %d h', (code, slaHours) => {
    expect(findCategory(code)).toMatchObject({ code, slaHours })
  })

  it('falls back to 其他 for an unknown code, so no case is lost', () => {
    expect(findCategory('ufo-sighting')).toMatchObject({ code: 'other', name: '其他' })
  })
})
