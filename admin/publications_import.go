package admin

import (
	"bytes"
	"io"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework/caseflow"
	"fundwatch/casework/fundfile"
	"fundwatch/store"
)

// The fund report upload: a publisher sends a CSV or XLSX file of the
// template's columns; every row is checked, errors are listed by row and
// column and nothing is taken while there are any; a good file becomes
// drafts (new, updated, or corrections of published tables) for the
// publisher to look at and submit.

func (a *Admin) fundImportForm(c *fiber.Ctx) error {
	return a.renderFundImport(c, fiber.StatusOK, nil, nil, nil, "")
}

func (a *Admin) renderFundImport(c *fiber.Ctx, status int, res *fundfile.Result, outcomes []caseflow.FundImportOutcome, problems []string, filename string) error {
	return a.render(c, status, "publication_import", fiber.Map{
		"Title": "导入基金收支表", "Nav": "publications", "Result": res, "Outcomes": outcomes, "Problems": problems,
		"Filename": filename, "MaxMB": fundfile.MaxFileBytes >> 20, "MaxRows": fundfile.MaxRows,
	})
}

// fundImport reads the uploaded file. The body limit of the admin site
// (web's) bounds the upload; fundfile bounds what it reads again.
func (a *Admin) fundImport(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return a.renderFundImport(c, fiber.StatusUnprocessableEntity, nil, nil, []string{"请选择要上传的文件（.csv 或 .xlsx）。"}, "")
	}
	name := clip(fh.Filename, 120)
	if fh.Size > fundfile.MaxFileBytes {
		return a.renderFundImport(c, fiber.StatusRequestEntityTooLarge, nil, nil,
			[]string{"文件超过 10 MB。基金收支表通常只有几十行，请检查是否选错了文件。"}, name)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, fundfile.MaxFileBytes+1))
	if err != nil {
		return err
	}
	actor := a.actor(c)
	res, err := fundfile.Parse(bytes.NewReader(data), name, fundfile.Options{Regions: a.Regions,
		CurrentYear: a.now().In(store.CST).Year(), RegionScope: actor.Scope})
	if err != nil {
		return err
	}
	if !res.OK() {
		return a.renderFundImport(c, fiber.StatusUnprocessableEntity, res, nil, nil, name)
	}
	tables := make([]caseflow.FundTable, 0, len(res.Reports))
	for _, r := range res.Reports {
		tables = append(tables, caseflow.FundTable{Year: r.Year, RegionCode: r.RegionCode, Rows: r.Rows})
	}
	outcomes, problems, err := a.Cases.ImportFundTables(c.UserContext(), actor, tables)
	if err != nil {
		return a.pubRefused(c, err, func(status int, msg string) error {
			return a.renderFundImport(c, status, res, outcomes, []string{msg}, name)
		})
	}
	if len(problems) > 0 {
		return a.renderFundImport(c, fiber.StatusConflict, res, nil, problems, name)
	}
	return a.renderFundImport(c, fiber.StatusOK, res, outcomes, nil, name)
}

// fundTemplate sends the template in the format its name asks for.
func (a *Admin) fundTemplate(c *fiber.Ctx) error {
	if strings.HasSuffix(c.Path(), ".xlsx") {
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="fund-report-template.xlsx"; filename*=UTF-8''`+url.PathEscape("基金收支表模板.xlsx"))
		return c.Send(fundfile.TemplateXLSX())
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="fund-report-template.csv"; filename*=UTF-8''`+url.PathEscape("基金收支表模板.csv"))
	return c.Send(fundfile.TemplateCSV())
}
