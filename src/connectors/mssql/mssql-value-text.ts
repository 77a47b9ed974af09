/**
 * The text SQL Server is asked for where tedious would lose a value: exact numerics (which it rounds to a
 * JavaScript number) and the system CLR types (which it hands over as their storage bytes). Reads and push-down
 * profiles select the same expressions, so both see the same values.
 */
import { mssqlTypeName } from './mssql-types.ts';

// decimal(38, 38) is 41 characters with its sign, leading zero and point; money at most 21.
const NUMERIC_TEXT = 'varchar(48)';

/**
 * The exact text of a `decimal`, `numeric`, `money` or `smallmoney` expression (`12345678901234567890.125`,
 * money with all 4 of its decimals: style 2, the default keeps 2); undefined for any other type.
 */
export function mssqlNumericText(expr: string, nativeType: string): string | undefined {
  switch (mssqlTypeName(nativeType)) {
    case 'decimal':
    case 'numeric':
      return `CONVERT(${NUMERIC_TEXT}, ${expr})`;
    case 'money':
    case 'smallmoney':
      return `CONVERT(${NUMERIC_TEXT}, ${expr}, 2)`;
    default:
      return undefined;
  }
}

/**
 * The text form of a system CLR type, `expr` being a column reference: a `hierarchyid` path (`/1/2/`), a `geography`
 * or `geometry` as WKT with its Z and M values (the SRID is not part of it); undefined for any other type.
 */
export function mssqlClrText(expr: string, nativeType: string): string | undefined {
  switch (mssqlTypeName(nativeType)) {
    case 'hierarchyid':
      return `${expr}.ToString()`;
    case 'geography':
    case 'geometry':
      // The text ToString() gives, without its documented `Null` for a null instance.
      return `${expr}.AsTextZM()`;
    default:
      return undefined;
  }
}
