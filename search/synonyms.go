package search

// Synonyms are the domain's equivalent names, one group per line: a query
// word containing one member also finds the text with any other member in
// its place (医保基金 finds 医疗保险基金). Both engines read this one list:
// Bleve expands the query with it (ParseQuery); Meilisearch gives a quoted
// phrase no synonyms, so search/meili writes each text's synonym spellings
// into the document instead. Members are written normalised (see Normalize).
var Synonyms = [][]string{
	{"医保", "医疗保险"},
	{"社保", "社会保险"},
	{"失业金", "失业保险金"},
	{"养老金", "养老保险金"},
	{"养老险", "养老保险"},
	{"失业险", "失业保险"},
	{"工伤险", "工伤保险"},
	{"生育险", "生育保险"},
	{"社保卡", "社会保障卡"},
	{"人社局", "人力资源和社会保障局"},
	{"医保局", "医疗保障局"},
	{"骗保", "骗取社会保险基金"},
	{"挪用", "挤占挪用"},
	{"欠缴", "未缴纳", "未按规定缴纳"},
}

// maxVariants bounds how many spellings one query word expands to, so a
// word made of many synonyms cannot blow a query up.
const maxVariants = 8
