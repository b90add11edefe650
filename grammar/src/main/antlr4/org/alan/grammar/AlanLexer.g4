// Tokens of the .alan language.
lexer grammar AlanLexer;

MODEL    : 'model';
GUIDE    : 'guide';
PLATE    : 'plate';
GROUP    : 'group';
INPUT    : 'input';
DATA     : 'data';
LET      : 'let';
PARAM    : 'param';
// Reserved so that time series (spec section 3.6) can be added without breaking programs.
TIMESERIES : 'timeseries';
PREV     : 'prev';

LBRACE   : '{';
RBRACE   : '}';
LPAREN   : '(';
RPAREN   : ')';
LBRACK   : '[';
RBRACK   : ']';
COMMA    : ',';
SEMI     : ';';
COLON    : ':';
TILDE    : '~';
LE       : '<=';
GE       : '>=';
EQ       : '==';
NE       : '!=';
LT       : '<';
GT       : '>';
ASSIGN   : '=';
PLUS_ASSIGN : '+=';
PLUS     : '+';
PIPE     : '|';
MINUS    : '-';
STAR     : '*';
SLASH    : '/';
CARET    : '^';

NUMBER
    : DIGITS ('.' DIGITS?)? EXPONENT?
    | '.' DIGITS EXPONENT?
    ;
// a name in backticks may be a reserved word (`group`, `data`): data columns are often named so
IDENT    : [a-zA-Z_] [a-zA-Z_0-9]* | '`' [a-zA-Z_] [a-zA-Z_0-9]* '`';

LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN);
WS            : [ \t\r\n\f]+ -> channel(HIDDEN);

// An unterminated block comment and any stray character become tokens the parser reports precisely.
// (The comment body excludes '*/', so a closed comment never matches this longer rule.)
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF;
ERROR_CHAR    : .;

fragment DIGITS   : [0-9]+;
fragment EXPONENT : [eE] [+-]? DIGITS;
