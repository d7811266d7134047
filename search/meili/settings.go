package meili

import (
	"context"
	"fmt"
	"slices"

	"github.com/meilisearch/meilisearch-go"

	"fundwatch/search"
)

// The index settings this package owns.
var (
	// searchableFields in weight order: title, extra, body, each text's
	// units before its alt field.
	searchableFields = []string{
		fieldTitleUnits, fieldTitleAlt, fieldExtraUnits, fieldExtraAlt, fieldBodyUnits, fieldBodyAlt,
	}
	// displayedFields are what a hit needs: the raw title and body are
	// marked here, never in Meilisearch's _formatted (which escapes nothing).
	displayedFields = []string{
		fieldID, fieldType, fieldTitle, fieldBody, fieldRegionCode, fieldYear, fieldDate,
	}
	sortableFields = []string{fieldDate, fieldID}
	// rankingRules: Meilisearch's default order with sort moved last, so
	// the newest date (then the id) only breaks ties of relevance.
	rankingRules = []string{"words", "typo", "proximity", "attribute", "exactness", "sort"}
	// locales: the text fields are read as Mandarin (charabia's Chinese
	// segmenter and normaliser) both at indexing and at query time;
	// otherwise a short all-Han text may be detected as Japanese.
	locales = []string{"cmn"}
)

// wantedSettings are the settings every index of this package has.
func wantedSettings() *meilisearch.Settings {
	return &meilisearch.Settings{
		RankingRules:         slices.Clone(rankingRules),
		SearchableAttributes: slices.Clone(searchableFields),
		DisplayedAttributes:  slices.Clone(displayedFields),
		FilterableAttributes: slices.Clone(filterableFields),
		SortableAttributes:   slices.Clone(sortableFields),
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{
			{AttributePatterns: slices.Clone(searchableFields), Locales: slices.Clone(locales)},
		},
		Pagination:         &meilisearch.Pagination{MaxTotalHits: search.MaxWindow},
		ProximityPrecision: meilisearch.ByWord,
	}
}

// settingsChange compares the index's current settings with the wanted
// ones. It returns the settings to update (only the ones that differ, nil
// when none does) and the names of the token settings to reset: a
// dictionary, synonyms, stop words or custom separators would change how
// the unit streams are cut, so they are emptied if anything set them.
//
// Only what differs is sent, so opening an index that is already set up
// changes nothing on the server (no reindexing at every start).
func settingsChange(cur *meilisearch.Settings) (*meilisearch.Settings, []string) {
	want := wantedSettings()
	upd := &meilisearch.Settings{}
	changed := false
	if !slices.Equal(cur.RankingRules, want.RankingRules) {
		upd.RankingRules, changed = want.RankingRules, true
	}
	if !slices.Equal(cur.SearchableAttributes, want.SearchableAttributes) {
		upd.SearchableAttributes, changed = want.SearchableAttributes, true
	}
	if !sameSet(cur.DisplayedAttributes, want.DisplayedAttributes) {
		upd.DisplayedAttributes, changed = want.DisplayedAttributes, true
	}
	if !sameSet(cur.FilterableAttributes, want.FilterableAttributes) {
		upd.FilterableAttributes, changed = want.FilterableAttributes, true
	}
	if !sameSet(cur.SortableAttributes, want.SortableAttributes) {
		upd.SortableAttributes, changed = want.SortableAttributes, true
	}
	if !sameLocalized(cur.LocalizedAttributes, want.LocalizedAttributes) {
		upd.LocalizedAttributes, changed = want.LocalizedAttributes, true
	}
	if cur.Pagination == nil || cur.Pagination.MaxTotalHits != want.Pagination.MaxTotalHits {
		upd.Pagination, changed = want.Pagination, true
	}
	// Phrases need word pair proximities; "byAttribute" has none.
	if cur.ProximityPrecision != "" && cur.ProximityPrecision != want.ProximityPrecision {
		upd.ProximityPrecision, changed = want.ProximityPrecision, true
	}
	var resets []string
	if len(cur.Dictionary) > 0 {
		resets = append(resets, "dictionary")
	}
	if len(cur.Synonyms) > 0 {
		resets = append(resets, "synonyms")
	}
	if len(cur.StopWords) > 0 {
		resets = append(resets, "stop-words")
	}
	if len(cur.SeparatorTokens) > 0 {
		resets = append(resets, "separator-tokens")
	}
	if len(cur.NonSeparatorTokens) > 0 {
		resets = append(resets, "non-separator-tokens")
	}
	if !changed {
		upd = nil
	}
	return upd, resets
}

// applySettings brings the index's settings to the wanted ones, waiting
// for each task.
func (ix *Index) applySettings(ctx context.Context) error {
	cur, err := ix.index.GetSettings(ctx)
	if err != nil {
		return ix.fail("read settings", err)
	}
	upd, resets := settingsChange(cur)
	if upd != nil {
		info, err := ix.index.UpdateSettings(ctx, upd)
		if err != nil {
			return ix.fail("update settings", err)
		}
		if err := ix.wait(ctx, info); err != nil {
			return err
		}
	}
	for _, name := range resets {
		var info *meilisearch.TaskInfo
		switch name {
		case "dictionary":
			info, err = ix.index.ResetDictionary(ctx)
		case "synonyms":
			info, err = ix.index.ResetSynonyms(ctx)
		case "stop-words":
			info, err = ix.index.ResetStopWords(ctx)
		case "separator-tokens":
			info, err = ix.index.ResetSeparatorTokens(ctx)
		case "non-separator-tokens":
			info, err = ix.index.ResetNonSeparatorTokens(ctx)
		}
		if err != nil {
			return ix.fail("reset "+name, err)
		}
		if err := ix.wait(ctx, info); err != nil {
			return fmt.Errorf("reset %s: %w", name, err)
		}
	}
	return nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func sameLocalized(a, b []*meilisearch.LocalizedAttributes) bool {
	return slices.EqualFunc(a, b, func(x, y *meilisearch.LocalizedAttributes) bool {
		return x != nil && y != nil && slices.Equal(x.AttributePatterns, y.AttributePatterns) &&
			sameSet(x.Locales, y.Locales)
	})
}
